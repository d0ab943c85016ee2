import { describe, expect, it } from 'vitest';
import { awsHealthCheckNote, failureCounts, failureCountsNow, probeDelaySeconds, secondsToHealthy } from './health-timing.js';

const health = { path: '/health', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 };

describe('fast local probes', () => {
  it('probe a new replica every tenth of a second until it is healthy, then at the configured interval', () => {
    expect(probeDelaySeconds(health, 'initial')).toBe(0.1);
    expect(probeDelaySeconds({ interval: 0.05 }, 'initial')).toBe(0.05);
    expect(probeDelaySeconds(health, 'healthy')).toBe(30);
    expect(probeDelaySeconds(health, 'unhealthy')).toBe(30);
  });

  it('say how long the same checks take on AWS: healthyThreshold intervals', () => {
    expect(secondsToHealthy(health)).toBe(60);
    expect(awsHealthCheckNote(health)).toBe('on AWS the same checks take at least 60s (2 passes, 30s apart)');
  });

  it('never make a replica unhealthy sooner than AWS: failures count outside the grace period, one interval apart', () => {
    const startedAtMs = 0;
    expect(failureCounts(health, startedAtMs, 59_000)).toBe(false);
    expect(failureCountsNow(health, { startedAtMs }, 59_000)).toBe(false);
    expect(failureCountsNow(health, { startedAtMs }, 60_000)).toBe(true);
    // A fast probe one second after a counted failure does not count again...
    expect(failureCountsNow(health, { startedAtMs, lastCountedFailureMs: 60_000 }, 61_000)).toBe(false);
    // ...one interval later it does: three counted failures take 60 s + 2 x 30 s, as on an ALB.
    expect(failureCountsNow(health, { startedAtMs, lastCountedFailureMs: 60_000 }, 90_000)).toBe(true);
  });
});
