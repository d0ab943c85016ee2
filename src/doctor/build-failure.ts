/**
 * A failed `docker build` explained by cause before its output: the network (a base image or a package that
 * could not be downloaded), the Dockerfile's syntax, a file missing from the build context, a feature only
 * BuildKit builds. Used by both targets' deploys and by the doctor, so all three name the same cause.
 */
import type { BuildFailureFacts } from '../build/index.js';
import { BerthError, OperationError } from '../errors.js';
import { diagnose, type DiagnoseConfig, type Diagnosis } from './diagnose.js';
import { emptyEvidence } from './failure-evidence.js';

function buildFacts(error: unknown): BuildFailureFacts | undefined {
  const facts = error as Partial<BuildFailureFacts> | undefined;
  return facts && Array.isArray(facts.buildOutput) ? { buildOutput: facts.buildOutput, builder: facts.builder ?? { buildkit: true, dockerfileFeatures: [] } } : undefined;
}

/** The diagnosis of a failed build, or undefined when the error is no build failure or the table does not know it. */
export function diagnoseBuildFailure(error: unknown, config: DiagnoseConfig, target: 'local' | 'aws'): Diagnosis | undefined {
  const facts = buildFacts(error);
  if (!facts) return undefined;
  return diagnose({ ...emptyEvidence(target), buildOutput: facts.buildOutput, builder: facts.builder }, config)[0];
}

/**
 * The error a deploy reports for a failed build: the cause and the fix first, then the build's own last lines.
 * Any other error comes back unchanged.
 */
export function explainBuildFailure(error: unknown, config: DiagnoseConfig, target: 'local' | 'aws'): unknown {
  const diagnosis = diagnoseBuildFailure(error, config, target);
  if (!diagnosis || !(error instanceof BerthError)) return error;
  const explained = new OperationError(`${diagnosis.cause}\nfix: ${diagnosis.fix}\n${error.message}`);
  return Object.assign(explained, buildFacts(error), { diagnosis });
}
