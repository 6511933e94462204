export * from './audio';
