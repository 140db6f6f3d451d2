/**
 * Comparing two failure rates while watching continuously: the mixture sequential probability ratio
 * test (mSPRT; Johari, Pekelis & Walsh, "Always valid inference", 2015) on the difference of the two
 * rates, with a normal mixture over the effect. Its error rate holds however often it is checked, so
 * the canary monitor may look after every batch of calls.
 */

export interface ArmCounts {
  calls: number;
  failures: number;
}

export interface SequentialResult {
  /** control rate − treatment rate: positive when the treatment (canary) fails less. */
  difference: number;
  /** The likelihood ratio; the difference is significant once it reaches 1/alpha. */
  ratio: number;
  significant: boolean;
}

/** Prior spread of the effect (a difference of failure rates): about 10 points. */
const defaultTau = 0.1;

export function compareFailureRates(control: ArmCounts, treatment: ArmCounts, alpha = 0.05, tau = defaultTau): SequentialResult {
  if (control.calls === 0 || treatment.calls === 0) return { difference: 0, ratio: 1, significant: false };
  // Rates smoothed by half a failure each way, so 0/n and n/n still have a variance.
  const pc = (control.failures + 0.5) / (control.calls + 1);
  const pt = (treatment.failures + 0.5) / (treatment.calls + 1);
  const difference = control.failures / control.calls - treatment.failures / treatment.calls;
  const v = (pc * (1 - pc)) / control.calls + (pt * (1 - pt)) / treatment.calls;
  const t2 = tau * tau;
  const ratio = Math.sqrt(v / (v + t2)) * Math.exp((difference * difference * t2) / (2 * v * (v + t2)));
  return { difference, ratio, significant: ratio >= 1 / alpha };
}
