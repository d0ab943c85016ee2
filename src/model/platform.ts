/** berth's two CPU architectures and the names each tool gives them. */
import type { Arch } from '../config/model.js';

/** `linux/amd64` or `linux/arm64`: the Docker platform string for a berth.yml `arch`. */
export function platformFor(arch: Arch): string {
  return `linux/${dockerArchitecture(arch)}`;
}

/** `amd64` / `arm64`, as `docker image inspect` reports an image's architecture. */
export function dockerArchitecture(arch: Arch): 'amd64' | 'arm64' {
  return arch === 'arm64' ? 'arm64' : 'amd64';
}

/** ECS RuntimePlatform.CpuArchitecture. */
export function ecsCpuArchitecture(arch: Arch): 'X86_64' | 'ARM64' {
  return arch === 'arm64' ? 'ARM64' : 'X86_64';
}

/** The berth architecture an image or a machine reports (`amd64`, `x86_64`, `arm64`, `aarch64`). */
export function archOf(architecture: string): Arch | undefined {
  if (architecture === 'amd64' || architecture === 'x86_64' || architecture === 'x64') return 'x86_64';
  if (architecture === 'arm64' || architecture === 'aarch64') return 'arm64';
  return undefined;
}

export function otherArch(arch: Arch): Arch {
  return arch === 'arm64' ? 'x86_64' : 'arm64';
}
