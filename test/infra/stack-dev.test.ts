import { stackSuite } from './stack-suite.js';

stackSuite({ env: 'dev', tier: 'development', zones: 2, natGateways: 1, backupDays: 7, multiAz: false, readReplica: false });
