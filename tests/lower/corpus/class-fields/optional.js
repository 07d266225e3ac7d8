// Private members in optional chains: a `?.` before the private member
// short-circuits the whole chain; one after it applies to its value.
class Node {
    #value;
    #next;
    constructor(value, next) {
        this.#value = value;
        this.#next = next;
    }
    #label() {
        return "node " + this.#value;
    }
    static walk(n) {
        return [n?.#value, n?.#next?.#value, n?.#next?.#next?.#value, n?.#label()].join(",");
    }
    static deep(holder) {
        return holder?.node.#next?.#value;
    }
    peek() {
        return [this.#next?.#value, this.#next?.#label?.(), this.#value?.toFixed(1)].join(",");
    }
}
const list = new Node(1, new Node(2, null));
console.log(Node.walk(list));
console.log(JSON.stringify(Node.walk(null)));
console.log(Node.deep({ node: list }), Node.deep(null), Node.deep(undefined));
console.log(list.peek(), new Node(3).peek());
try {
    Node.deep({ node: {} });
} catch (e) {
    console.log(e.constructor.name);
}
try {
    Node.walk({});
} catch (e) {
    console.log(e.constructor.name);
}
