export { startSimulator, type Simulator, type SimulatorOptions, type RecordedCall } from './server';
export { resetDemoInstances, seedDemoInstances } from './seed';
export type { FaultRule, Fault } from './faults';
export type { SimInstance } from './state';
