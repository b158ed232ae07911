import { Suspense } from 'react';
import { ResetPassword } from './reset-password';

export const metadata = { title: 'Choose a new password · Stay signed in' };

export default function ResetPasswordPage() {
  return (
    <main>
      <Suspense>
        <ResetPassword />
      </Suspense>
    </main>
  );
}
