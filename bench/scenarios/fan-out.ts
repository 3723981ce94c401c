// Fan-out: not built yet (issue 8); the runner lists it so --only knows the id.
import type { Scenario } from '../lib/scenario.ts';

export const fanOut: Scenario = {
  id: 'fan-out',
  title: 'Fan-out',
  run() {
    return Promise.reject(new Error('scenario "fan-out" is not built yet'));
  },
};
