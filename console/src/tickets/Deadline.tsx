// A ticket's next deadline as staff read it: a coloured tag that also says its urgency in words
// (never colour alone), which deadline, the working days left, and when it falls (Beijing time).
import { Tag } from 'antd';
import { beijingTime } from '../i18n/format';
import { fill, useTexts } from '../i18n/language';
import { daysLeftText, urgencyTone, type NextDeadline } from './model';
import { ticketTexts } from './texts';

export function DeadlineCell({ deadline }: { deadline: NextDeadline | null }) {
  const t = useTexts(ticketTexts);
  if (!deadline) return <span className="hcp-muted">{t.noDeadline}</span>;
  return (
    <div className="hcp-deadline">
      <Tag className={`hcp-tone hcp-tone-${urgencyTone(deadline.status)}`}>{t[`urgency_${deadline.status}`]}</Tag>
      <span>
        {t[`deadline_${deadline.name}`]} · {daysLeftText(deadline, t)}
      </span>
      <div className="hcp-small">{fill(t.due, { name: t[`deadline_${deadline.name}`], time: beijingTime(deadline.dueAt) })}</div>
    </div>
  );
}

export function StateTag({ state, tone }: { state: string; tone: string }) {
  const t = useTexts(ticketTexts);
  const key = `state_${state}` as keyof typeof t;
  return <Tag className={`hcp-tone hcp-tone-${tone}`}>{key in t ? t[key] : state}</Tag>;
}
