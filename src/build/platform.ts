/** The host's own platform (local builds run natively); the platform strings themselves are the model's. */
import { arch as hostArch } from 'node:os';
import type { Arch } from '../config/model.js';
import { archOf, platformFor } from '../model/platform.js';

export { platformFor } from '../model/platform.js';

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
  return archOf(architecture);
}
