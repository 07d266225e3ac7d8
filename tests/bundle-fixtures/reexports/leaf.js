export const x = 'x';
export const y = 'y';
export default 'leaf-default';
