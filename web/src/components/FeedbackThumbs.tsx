import { ThumbsDown, ThumbsUp } from "lucide-react";
import { useI18n } from "../i18n";
import type { Rating } from "../lib/useFeedback";

interface Props {
  rating?: Rating;
  onRate: (rating: Rating) => void;
  /** Names what is rated (the answer or citation [n]) in the test ids. */
  testId: string;
}

/** A thumbs up and a thumbs down; the chosen one shows as pressed, a click on the other changes it. */
export function FeedbackThumbs({ rating, onRate, testId }: Props) {
  const { t } = useI18n();
  const thumb = (value: Rating) => (
    <button
      type="button"
      className={rating === value ? "icon thumb chosen" : "icon thumb"}
      aria-pressed={rating === value}
      title={t(value === "up" ? "feedback.up" : "feedback.down")}
      data-testid={`${testId}-${value}`}
      onClick={() => onRate(value)}
    >
      {value === "up" ? <ThumbsUp size={14} /> : <ThumbsDown size={14} />}
    </button>
  );
  return (
    <span className="thumbs" data-testid={testId} data-rating={rating ?? ""}>
      {thumb("up")}
      {thumb("down")}
    </span>
  );
}
