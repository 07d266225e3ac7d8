export const fromStar = 'star1';
export const dup = 1;
