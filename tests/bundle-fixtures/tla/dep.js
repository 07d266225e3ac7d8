__log.push('dep evaluates');
export const value = 'dep-value';
