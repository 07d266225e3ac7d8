export default (function () { return 'paren'; }) /* a comment */ ;
export const parenClass = 1;
