export default class { constructor() { this.v = "v"; } }
