__log.push('blog evaluates');
export const title = `Blog`;
