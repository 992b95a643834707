import { Tag, Typography } from 'antd';
import { useTexts } from '../i18n/language';
import { STATUS_CLASSES, timeLeft, type NextDeadline } from './deadline';
import { deadlineTexts } from './texts';

/** The next deadline of a ticket: its status as a coloured tag with words, and the time left. */
export function DeadlineCell({ deadline }: { deadline: NextDeadline | null }) {
  const t = useTexts(deadlineTexts);
  if (deadline === null) return <Typography.Text type="secondary">{t.none}</Typography.Text>;
  return (
    <span className="hcp-deadline">
      <Tag className={STATUS_CLASSES[deadline.status]}>
        {t[deadline.status]}
      </Tag>
      <span>
        {t[deadline.name]} · {timeLeft(deadline, t)}
      </span>
    </span>
  );
}
