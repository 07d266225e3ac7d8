// module
// Exported class declarations keep their bindings, with the stores and
// static initialization around the export.
export class Shape {
    static sides = 0;
    #name = "shape";
    name() {
        return this.#name;
    }
}
export default class {
    static kind = "default";
    #k = 1;
    k() {
        return this.#k;
    }
}
export const Square = class {
    static sides = 4;
};
console.log(Shape.sides, new Shape().name(), Square.sides, Square.name);
