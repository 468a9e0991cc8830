// Runs a change the user asked for, then reloads the screen; a failure becomes a message instead of a crash.
import { useState } from "react";

/** Runs `run`, clears the last error and reloads; resolves to whether it worked. */
export type Act = (run: () => Promise<unknown>) => Promise<boolean>;

export function useAction(reload: () => Promise<void>): [string, Act] {
  const [error, setError] = useState("");
  const act: Act = async (run) => {
    try {
      await run();
      setError("");
      await reload();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };
  return [error, act];
}
