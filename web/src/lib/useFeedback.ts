// The reader's thumbs on answers and citations: sent to the gateway, shown once it accepted them.
import { useCallback, useState } from "react";
import { useApi } from "../api/context";

export type Rating = "up" | "down";

/** Ratings of one answer's parts: citation 0 is the answer itself, n its citation [n]. */
export interface AnswerFeedback {
  ratingOf: (citation: number) => Rating | undefined;
  rate: (citation: number, rating: Rating) => void;
}

export interface Feedback {
  forAnswer: (messageId: string) => AnswerFeedback;
  error: string;
}

export function useFeedback(): Feedback {
  const { api } = useApi();
  const [ratings, setRatings] = useState<Record<string, Rating>>({});
  const [error, setError] = useState("");
  const forAnswer = useCallback(
    (messageId: string): AnswerFeedback => ({
      ratingOf: (citation) => ratings[`${messageId}:${citation}`],
      rate: (citation, rating) => {
        api.rate({ message_id: messageId, citation, rating }).then(
          () => {
            setRatings((old) => ({ ...old, [`${messageId}:${citation}`]: rating }));
            setError("");
          },
          (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
        );
      },
    }),
    [api, ratings],
  );
  return { forAnswer, error };
}
