import { describe, expect, it } from 'vitest';
import { runSoak, sampleAt } from '../../bench/lib/soak-runner.js';

/**
 * A 45-second run of the soak (`npx tsx bench/soak.ts --minutes 30` for the long one): mixed load with
 * cancellations, admin changes and clusters refusing or restarting every 8 s, against the gateway in
 * its own process. Asserts outcomes, never timings.
 */
describe('soak (45 s)', () => {
  it(
    'ends every query ok or with an explained error, and the gateway does not grow',
    { timeout: 120_000 },
    async () => {
      const report = await runSoak({ durationMs: 45_000, clients: 4, flapEveryMs: 8_000, flapForMs: 3_000 });
      expect(report.failures, report.gatewayOutputTail).toEqual([]);
      expect(report.unexplained).toBe(0);
      expect(report.ok).toBeGreaterThan(0);
      expect(report.flaps).toBeGreaterThanOrEqual(4);
      expect(report.adminChanges).toBeGreaterThan(0);
      const at30 = sampleAt(report, 0.3);
      expect(report.last.rssMB - at30.rssMB).toBeLessThanOrEqual(64);
      expect(report.gatewayExit).toBe(0);
    },
  );
});
