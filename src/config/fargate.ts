/** Fargate task sizes: which memory values (MiB) each CPU value (units, 1024 = 1 vCPU) allows. */

const GiB = 1024;

function range(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const values: number[] = [];
  for (let g = fromGiB; g <= toGiB; g += stepGiB) values.push(g * GiB);
  return values;
}

export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1, 4, 1),
  1024: range(2, 8, 1),
  2048: range(4, 16, 1),
  4096: range(8, 30, 1),
  8192: range(16, 60, 4),
  16384: range(32, 120, 8),
};

export const FARGATE_CPU_VALUES: readonly number[] = Object.keys(FARGATE_MEMORY_BY_CPU).map(Number);

/** A short human description of the memory values allowed with a CPU value. */
export function describeAllowedMemory(cpu: number): string {
  const values = FARGATE_MEMORY_BY_CPU[cpu];
  if (!values) return `cpu must be one of ${FARGATE_CPU_VALUES.join(', ')}`;
  if (values.length <= 4) return values.join(', ');
  const first = values[0]!;
  const last = values[values.length - 1]!;
  const step = values[1]! - first;
  return `${first}-${last} in steps of ${step}`;
}

export function isValidFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_MEMORY_BY_CPU[cpu]?.includes(memory) ?? false;
}
