import { describe, expect, it } from 'vitest';
import { describeAllowedMemory, isValidFargateSize } from './fargate.js';

describe('Fargate sizes', () => {
  it.each([
    [256, 512, true], [256, 2048, true], [256, 3072, false],
    [512, 1024, true], [512, 4096, true], [512, 512, false],
    [1024, 2048, true], [1024, 8192, true], [1024, 9216, false],
    [2048, 16384, true], [4096, 30720, true], [4096, 31744, false],
    [8192, 16384, true], [8192, 20480, true], [8192, 18432, false], [8192, 61440, true],
    [16384, 32768, true], [16384, 40960, true], [16384, 36864, false], [16384, 122880, true],
    [300, 512, false],
  ])('cpu %i with %i MiB -> %s', (cpu, memory, valid) => {
    expect(isValidFargateSize(cpu, memory)).toBe(valid);
  });

  it('describes what is allowed', () => {
    expect(describeAllowedMemory(256)).toBe('512, 1024, 2048');
    expect(describeAllowedMemory(4096)).toBe('8192-30720 in steps of 1024');
    expect(describeAllowedMemory(16384)).toBe('32768-122880 in steps of 8192');
  });
});
