export default function LoginPage() {
  return <main>login</main>;
}
