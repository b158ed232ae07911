/** A new password, its rules and its confirmation: the account page's change and a reset link's page. */
import { PASSWORD_MIN_LENGTH, PASSWORD_RULES } from '@/lib/api/account-rules';

export function NewPasswordFields() {
  return (
    <>
      <label htmlFor="new_password">New password</label>
      <input
        id="new_password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        minLength={PASSWORD_MIN_LENGTH}
        aria-describedby="password-rules"
        required
      />
      <ul id="password-rules" className="notice">
        {PASSWORD_RULES.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </ul>
      <label htmlFor="confirm_password">New password again</label>
      <input id="confirm_password" name="confirm_password" type="password" autoComplete="new-password" required />
    </>
  );
}
