/** The second step's field: a code from the authenticator app, or a recovery code. */
export function CodeField({ hintId }: { hintId?: string }) {
  return (
    <>
      <label htmlFor="code">Authentication code</label>
      <input
        id="code"
        name="code"
        autoComplete="one-time-code"
        autoCapitalize="none"
        spellCheck={false}
        autoFocus
        required
        aria-describedby={hintId}
      />
    </>
  );
}
