function _inherits(subClass, superClass) {
    if (typeof superClass !== "function" && superClass !== null)
        throw new TypeError("Class extends value " + String(superClass) + " is not a constructor or null");
    subClass.prototype = Object.create(superClass && superClass.prototype, {
        constructor: { value: subClass, writable: true, configurable: true }
    });
    Object.defineProperty(subClass, "prototype", { writable: false });
    if (superClass) _setPrototypeOf(subClass, superClass);
}
