export * from './kinds';
export * from './messages';
export * from './classify';
export * from './schemas';
export * from './detect';
export * from './validate';
