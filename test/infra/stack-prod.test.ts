import { stackSuite } from './stack-suite.js';

stackSuite({ env: 'prod', tier: 'production', zones: 3, natGateways: 3, backupDays: 30, multiAz: true, readReplica: true });
