export default ( class { } )
export const after = 'asi';
