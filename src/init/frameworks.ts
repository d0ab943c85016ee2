/** The web frameworks berth init recognises, what each implies (port, health path, sessions), and how to spot them. */
import type { DockerfileInfo } from '../build/dockerfile.js';
import type { Dependency, Ecosystem } from './dependencies.js';
import { findDependency } from './dependencies.js';
import type { ProjectFiles } from './project-files.js';

export type FrameworkId = 'streamlit' | 'django' | 'fastapi' | 'flask' | 'nextjs' | 'express' | 'rails';

export interface Framework {
  id: FrameworkId;
  /** As people write it: "FastAPI", "Next.js". */
  name: string;
  ecosystem: Ecosystem;
  /** Package names that mean this framework, most specific first. */
  packages: readonly string[];
  /** The port the framework's usual server listens on when nothing says otherwise, and why. */
  defaultPort: number;
  defaultPortReason: string;
  /** A health path the framework itself serves, when it has one. */
  builtInHealth?: { path: string; reason: string };
  /** Sticky sessions the framework needs behind a load balancer, and why. */
  stickySessions?: { duration: string; reason: string };
}

/** In order of precedence: a Streamlit app may also depend on FastAPI, a Next.js app on Express. */
export const FRAMEWORKS: readonly Framework[] = [
  {
    id: 'streamlit', name: 'Streamlit', ecosystem: 'python', packages: ['streamlit'],
    defaultPort: 8501, defaultPortReason: "Streamlit's default port (streamlit run)",
    builtInHealth: { path: '/_stcore/health', reason: "Streamlit's built-in health endpoint" },
    stickySessions: { duration: '1h', reason: 'Streamlit keeps each browser session on one websocket to one task; with several tasks the load balancer must keep a browser on the same task' },
  },
  { id: 'django', name: 'Django', ecosystem: 'python', packages: ['django'], defaultPort: 8000, defaultPortReason: "Django's default port (runserver, and gunicorn's default)" },
  { id: 'fastapi', name: 'FastAPI', ecosystem: 'python', packages: ['fastapi'], defaultPort: 8000, defaultPortReason: "uvicorn's default port, which FastAPI apps usually run on" },
  { id: 'flask', name: 'Flask', ecosystem: 'python', packages: ['flask'], defaultPort: 5000, defaultPortReason: "Flask's default port (flask run)" },
  { id: 'nextjs', name: 'Next.js', ecosystem: 'node', packages: ['next'], defaultPort: 3000, defaultPortReason: "Next.js's default port (next start)" },
  { id: 'express', name: 'Express', ecosystem: 'node', packages: ['express'], defaultPort: 3000, defaultPortReason: 'the port Express apps conventionally listen on' },
  { id: 'rails', name: 'Rails', ecosystem: 'ruby', packages: ['rails', 'railties'], defaultPort: 3000, defaultPortReason: "Rails's default port (rails server / Puma)" },
];

export function framework(id: FrameworkId): Framework {
  return FRAMEWORKS.find((candidate) => candidate.id === id)!;
}

export interface DetectedFramework {
  framework: Framework;
  reason: string;
  /** The application server, when one is declared: gunicorn, uvicorn, hypercorn, daphne, waitress, puma. */
  server?: { name: string; reason: string };
}

const SERVERS: Record<Ecosystem, readonly string[]> = {
  python: ['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'waitress', 'granian'],
  node: [],
  ruby: ['puma', 'unicorn', 'falcon'],
};

/** Which ecosystem the final image is built on, from its base image name. */
function baseEcosystem(dockerfile: DockerfileInfo | undefined): Ecosystem | undefined {
  const last = dockerfile?.finalStage?.rootImage.toLowerCase() ?? '';
  if (/(^|\/)(python|pypy)[:@]?|uv:|streamlit/.test(last)) return 'python';
  if (/(^|\/)(node|bun|deno)[:@]?/.test(last)) return 'node';
  if (/(^|\/)(ruby|rails)[:@]?/.test(last)) return 'ruby';
  return undefined;
}

/** Words of the command the image runs, for frameworks only the Dockerfile reveals. */
function commandWords(dockerfile: DockerfileInfo | undefined): string[] {
  return [...(dockerfile?.entrypoint?.words ?? []), ...(dockerfile?.cmd?.words ?? [])].flatMap((word) => word.split(/\s+/));
}

function fromFiles(project: ProjectFiles, dockerfile: DockerfileInfo | undefined): { id: FrameworkId; reason: string } | undefined {
  const words = commandWords(dockerfile);
  const line = dockerfile?.cmd?.line ?? dockerfile?.entrypoint?.line;
  const inCmd = (what: string) => `${what} in the Dockerfile's CMD/ENTRYPOINT (line ${line})`;
  if (words.includes('streamlit')) return { id: 'streamlit', reason: inCmd('streamlit') };
  if (project.paths.includes('manage.py')) return { id: 'django', reason: 'manage.py in the folder' };
  if (project.paths.includes('config/routes.rb')) return { id: 'rails', reason: 'config/routes.rb in the folder' };
  if (project.paths.some((path) => /^next\.config\.(js|mjs|ts|cjs)$/.test(path))) return { id: 'nextjs', reason: 'next.config in the folder' };
  return undefined;
}

/** The framework an app uses, from its dependency files, else from tell-tale files and the Dockerfile command. */
export function detectFramework(deps: readonly Dependency[], project: ProjectFiles, dockerfile?: DockerfileInfo): DetectedFramework | undefined {
  const preferred = baseEcosystem(dockerfile);
  const candidates = FRAMEWORKS.flatMap((fw) => {
    const dep = findDependency(deps, fw.packages, fw.ecosystem);
    return dep ? [{ fw, dep }] : [];
  });
  const chosen = candidates.find((candidate) => candidate.fw.ecosystem === preferred) ?? candidates[0];
  let detected: DetectedFramework | undefined;
  if (chosen) {
    detected = { framework: chosen.fw, reason: `${chosen.dep.name} in ${chosen.dep.file}` };
  } else {
    const fallback = fromFiles(project, dockerfile);
    if (fallback) detected = { framework: framework(fallback.id), reason: fallback.reason };
  }
  if (!detected) return undefined;
  const server = findDependency(deps, SERVERS[detected.framework.ecosystem], detected.framework.ecosystem);
  if (server) detected.server = { name: server.name, reason: `${server.name} in ${server.file}` };
  return detected;
}
