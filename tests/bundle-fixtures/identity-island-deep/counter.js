export default function Counter() {
  return "counter";
}
