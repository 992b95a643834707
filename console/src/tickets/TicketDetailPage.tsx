// One 差评工单: the rating as a person reads it, the rater (masked; revealed on asking, with a
// reason), the deadlines, every event in order with who did it and when, and the forms of the
// steps this staff member may take now.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Spin, Timeline } from 'antd';
import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { CHANNEL_NAMES, CHANNELS } from '../../../src/evaluations/channels.ts';
import { api, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { beijingTime } from '../i18n/format';
import { fill, useLang, useTexts } from '../i18n/language';
import { DeadlineCell, StateTag } from './Deadline';
import { attachmentHref, stateTone, type TicketDetail, type TicketEvent } from './model';
import { RaterCard } from './RaterCard';
import { StepForms } from './StepForms';
import { ticketTexts, type TicketTexts } from './texts';
import './tickets.css';

const isChannel = (value: string): value is (typeof CHANNELS)[number] => (CHANNELS as readonly string[]).includes(value);
const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

function textOf(t: TicketTexts, key: string): string {
  return key in t ? t[key as keyof TicketTexts] : key;
}

/** What an event says beyond its name: the kind and grounds of an appeal, a decision, the answer, the callback. */
function eventDetails(event: TicketEvent, t: TicketTexts): Array<[string, string]> {
  const p = event.payload;
  const decided = (yes: boolean) => (yes ? t.decisionYes : t.decisionNo);
  switch (event.type) {
    case 'judge_invalid':
      return [
        [t.appealKind, textOf(t, `kind_${str(p.kind)}`)],
        [t.payloadReason, str(p.reason)],
      ];
    case 'decide_appeal':
      return [[t.decision, p.upheld === true ? t.upheldYes : t.upheldNo]];
    case 'request_extension':
      return [
        [t.payloadDays, str(p.days)],
        [t.payloadReason, str(p.reason)],
      ];
    case 'decide_extension':
      return [[t.decision, decided(p.granted === true)]];
    case 'request_cannot_fix':
      return [[t.payloadReason, str(p.reason)]];
    case 'decide_cannot_fix':
      return [[t.decision, decided(p.approved === true)]];
    case 'reply':
      return [[t.payloadText, str(p.text)]];
    case 'callback':
      return [[t.payloadOutcome, textOf(t, `outcome_${str(p.outcome)}`)]];
    case 'void':
      return [[t.payloadReason, str(p.reason)]];
    default:
      return [];
  }
}

function EventItem({ event, ticketId, t }: { event: TicketEvent; ticketId: string; t: TicketTexts }) {
  const who = event.actor.displayName ? fill(t.by, { name: event.actor.displayName, role: textOf(t, `role_${event.actor.role}`) }) : textOf(t, `role_${event.actor.role}`);
  return (
    <div>
      <div className="hcp-event-head">{textOf(t, `event_${event.type}`)}</div>
      <div className="hcp-small">
        {who} · {beijingTime(event.at)}
      </div>
      {eventDetails(event, t).map(([label, value]) => (
        <p key={label} className="hcp-event-body">
          {fill(t.labelled, { label, value })}
        </p>
      ))}
      {event.note && (
        <p className="hcp-event-body">
          {fill(t.labelled, { label: t.note, value: event.note })}
        </p>
      )}
      {event.attachments.length > 0 && (
        <ul aria-label={t.attachments}>
          {event.attachments.map((attachment, i) => {
            const href = attachmentHref(ticketId, attachment);
            return <li key={i}>{href ? <a href={href} target="_blank" rel="noreferrer noopener">{attachment.name}</a> : attachment.name}</li>;
          })}
        </ul>
      )}
    </div>
  );
}

function Deadlines({ detail, t }: { detail: TicketDetail; t: TicketTexts }) {
  const { deadlines, extension, escalated, reopenCount } = detail.ticket;
  const row = (name: 'verify' | 'reply' | 'appeal', deadline: TicketDetail['ticket']['deadlines']['verify'] | null): ReactNode =>
    deadline && (
      <li key={name}>
        <strong>{fill(t.labelled, { label: t[`deadline_${name}`], value: '' })}</strong>
        {t.deadlineDue} {beijingTime(deadline.dueAt)}
        {' · '}
        <span className={`hcp-tone-text hcp-status-${deadline.status}`}>{t[`deadlineStatus_${deadline.status}`]}</span>
        {deadline.doneAt && ` · ${t.deadlineDone} ${beijingTime(deadline.doneAt)}`}
        {deadline.provisional && <div className="hcp-small">{t.provisional}</div>}
      </li>
    );
  return (
    <section aria-labelledby="ticket-deadlines" className="hcp-section">
      <h2 id="ticket-deadlines" className="hcp-section-title hcp-gap">
        {t.deadlines}
      </h2>
      <DeadlineCell deadline={detail.ticket.nextDeadline} />
      <ul className="hcp-deadline-list" data-testid="deadlines">
        {row('verify', deadlines.verify)}
        {row('reply', deadlines.reply)}
        {row('appeal', deadlines.appeal)}
      </ul>
      {extension && (
        <p>
          {fill(t.labelled, { label: t.extension, value: fill(t.extensionState, { state: textOf(t, `extension_${extension.state}`), days: extension.days }) })}
        </p>
      )}
      {escalated.length > 0 && <p>{fill(t.labelled, { label: t.escalated, value: escalated.map((name) => textOf(t, `deadline_${name}`)).join(t.listSep) })}</p>}
      {reopenCount > 0 && <p>{fill(t.reopened, { n: reopenCount })}</p>}
    </section>
  );
}

export function TicketDetailPage() {
  const t = useTexts(ticketTexts);
  const { lang } = useLang();
  const { id = '' } = useParams();
  const location = useLocation();
  const queryClient = useQueryClient();
  const key = ['tickets', 'detail', id];
  const detail = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/api/v1/tickets/{id}', { params: { path: { id } } })) });
  const from = (location.state as { from?: string } | null)?.from ?? '';
  const back = (
    <Link to={`/tickets${from}`} className="hcp-gap" style={{ display: 'inline-block' }}>
      ← {t.back}
    </Link>
  );

  if (detail.isPending) return <Spin className="hcp-page-spin" />;
  if (detail.error || !detail.data) {
    return (
      <>
        {back}
        <Alert
          type="error"
          showIcon
          role="alert"
          title={detail.error ? errorText(detail.error, lang) : t.loadFailed}
          action={
            <Button size="small" onClick={() => void detail.refetch()}>
              {t.retry}
            </Button>
          }
        />
      </>
    );
  }
  const data = detail.data;
  const { ticket, evaluation } = data;
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    await detail.refetch();
  };
  const channel = isChannel(evaluation.channel) ? CHANNEL_NAMES[evaluation.channel][lang] : evaluation.channel;
  const orDash = (value: string | null | undefined) => value || t.none;

  return (
    <article aria-labelledby="ticket-title">
      {back}
      <div className="hcp-page-head">
        <h1 id="ticket-title">{fill(t.detailTitle, { receipt: ticket.receiptNo })}</h1>
        <StateTag state={ticket.state} tone={stateTone(ticket.state)} />
      </div>
      <div className="hcp-detail">
        <div>
          <section aria-labelledby="ticket-rating" className="hcp-section">
            <h2 id="ticket-rating" className="hcp-section-title hcp-gap">
              {t.rating}
            </h2>
            <Descriptions
              size="small"
              bordered
              column={1}
              items={[
                { key: 'level', label: t.ratingLevel, children: fill(t.withAside, { main: ticket.levelName[lang], aside: evaluation.assessNumber === 2 ? t.followUp : t.firstRating }) },
                { key: 'reasons', label: t.reasons, children: evaluation.indicators.length > 0 ? evaluation.indicators.map((i) => i.name[lang]).join(t.listSep) : t.none },
                { key: 'comment', label: t.comment, children: <span className="hcp-event-body">{orDash(evaluation.comment)}</span> },
                { key: 'channel', label: t.channel, children: channel },
                { key: 'at', label: t.assessedAt, children: beijingTime(evaluation.assessedAt) },
                { key: 'org', label: t.orgRegion, children: fill(t.withAside, { main: ticket.orgName, aside: ticket.regionName }) },
                { key: 'item', label: t.item, children: data.item ? fill(t.withAside, { main: data.item.name, aside: data.item.taskCode }) : t.none },
                { key: 'case', label: t.caseNo, children: orDash(data.case?.projectNo ?? evaluation.projectNo) },
                ...(data.case?.projectName ? [{ key: 'caseName', label: t.caseName, children: data.case.projectName }] : []),
                ...(data.case?.stageName ? [{ key: 'stage', label: t.stage, children: data.case.stageName }] : []),
                ...(data.case?.completedAt ? [{ key: 'completed', label: t.completedAt, children: beijingTime(data.case.completedAt) }] : []),
                { key: 'window', label: t.window, children: orDash(data.window?.name) },
                { key: 'staff', label: t.staff, children: orDash(data.staff?.name) },
              ]}
            />
          </section>
          <section aria-labelledby="ticket-timeline" className="hcp-section">
            <h2 id="ticket-timeline" className="hcp-section-title hcp-gap">
              {t.timeline}
            </h2>
            <Timeline
              items={[
                { key: 'opened', content: <div><div className="hcp-event-head">{t.event_opened}</div><div className="hcp-small">{beijingTime(ticket.openedAt)}</div></div> },
                ...data.events.map((event) => ({ key: String(event.seq), content: <EventItem event={event} ticketId={ticket.id} t={t} /> })),
              ]}
            />
          </section>
        </div>
        <div>
          <StepForms detail={data} onChanged={refresh} />
          <Deadlines detail={data} t={t} />
          <RaterCard detail={data} />
        </div>
      </div>
    </article>
  );
}
