function _classCallCheck(instance, Constructor) {
    if (!(instance instanceof Constructor))
        throw new TypeError("Cannot call a class as a function");
}
