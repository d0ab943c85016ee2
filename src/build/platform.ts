/** Docker platforms for berth's two architectures, and the host's own (local builds run natively). */
import { arch as hostArch } from 'node:os';
import type { Arch } from '../config/model.js';

/** `linux/amd64` or `linux/arm64`, the Docker platform string for a berth.yml `service.arch`. */
export function platformFor(arch: Arch): string {
  return arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/** The berth architecture of the machine berth runs on (x86_64 unless Node reports arm64). */
export function hostArchitecture(nodeArch: string = hostArch()): Arch {
  return nodeArch === 'arm64' ? 'arm64' : 'x86_64';
}

/** The platform of the machine berth runs on, for native local builds. */
export function hostPlatform(nodeArch: string = hostArch()): string {
  return platformFor(hostArchitecture(nodeArch));
}

/** The berth architecture an image reports (`amd64` / `arm64`, as in `docker image inspect`). */
export function archOfImage(architecture: string): Arch | undefined {
  if (architecture === 'amd64' || architecture === 'x86_64') return 'x86_64';
  if (architecture === 'arm64' || architecture === 'aarch64') return 'arm64';
  return undefined;
}
