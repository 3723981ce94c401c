// Scale: not built yet (issue 8); the runner lists it so --only knows the id.
import type { Scenario } from '../lib/scenario.ts';

export const scale: Scenario = {
  id: 'scale',
  title: 'Scale',
  run() {
    return Promise.reject(new Error('scenario "scale" is not built yet'));
  },
};
