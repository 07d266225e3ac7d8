export const dup = 2;
export default 'star2-default-not-reexported';
