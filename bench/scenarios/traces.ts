// Trace replay: not built yet (issue 8); the runner lists it so --only knows the id.
import type { Scenario } from '../lib/scenario.ts';

export const traceReplay: Scenario = {
  id: 'traces',
  title: 'Trace replay',
  run() {
    return Promise.reject(new Error('scenario "traces" is not built yet'));
  },
};
