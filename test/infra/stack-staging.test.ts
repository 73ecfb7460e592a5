import { stackSuite } from './stack-suite.js';

stackSuite({ env: 'staging', tier: 'staging', zones: 3, natGateways: 1, backupDays: 7, multiAz: false, readReplica: false });
