export default function DashboardPage() {
  return <main>dashboard</main>;
}
