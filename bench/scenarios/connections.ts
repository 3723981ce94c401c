// Connections: not built yet (issue 8); the runner lists it so --only knows the id.
import type { Scenario } from '../lib/scenario.ts';

export const connections: Scenario = {
  id: 'connections',
  title: 'Connections',
  run() {
    return Promise.reject(new Error('scenario "connections" is not built yet'));
  },
};
