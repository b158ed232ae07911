'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useAuth } from '@/lib/client/auth-provider';

const LINKS = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/dashboard/sessions', label: 'Sessions' },
  { href: '/dashboard/account', label: 'Account' },
  { href: '/dashboard/users', label: 'Users', admin: true },
  { href: '/dashboard/audit', label: 'Activity' },
];

/** The dashboard's navigation; "Users" only for administrators (the server enforces it anyway). */
export function Nav() {
  const pathname = usePathname();
  const { user } = useAuth();
  return (
    <nav aria-label="Main" className="nav">
      <ul>
        {LINKS.filter((link) => !link.admin || user?.role === 'admin').map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={pathname === link.href ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
