// The steps the signed-in staff member may take on a ticket now (the server's `allowedSteps`,
// the same rule the steps route judges by), one form each. Every step carries the version the
// page was read at: if someone acted first the server says TICKET_CONFLICT, the page shows the
// fresh ticket and what was typed stays in the form (or, when that step is gone, is shown back).
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, InputNumber, Radio } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import { EvidenceUpload } from './EvidenceUpload';
import { bodyOf, CONFLICT_CODE, type StepName, type StepValues, type TicketDetail } from './model';
import { ReplyPreview } from './ReplyPreview';
import { ticketTexts, type TicketTexts } from './texts';

/** What a supervisor is asked to decide, from the request's event. */
function pendingRequest(detail: TicketDetail, type: string): Record<string, unknown> | null {
  const event = [...detail.events].reverse().find((e) => e.type === type);
  return event ? event.payload : null;
}

const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

const textRule = (message: string) => [{ required: true, whitespace: true, min: 2, max: 2000, message }];

function Fields({ step, t, detail, form }: { step: StepName; t: TicketTexts; detail: TicketDetail; form: ReturnType<typeof Form.useForm<StepValues>>[0] }) {
  const id = (name: string) => `${step}-${name}`;
  const evidence = (
    <Form.Item label={t.evidence} name="files" valuePropName="value" extra={t.uploadHint} htmlFor={id('files')}>
      <EvidenceUpload id={id('files')} />
    </Form.Item>
  );
  const note = (label: string, required = false) => (
    <Form.Item label={label} name="note" htmlFor={id('note')} rules={required ? textRule(t.findingRequired) : [{ max: 2000 }]}>
      <Input.TextArea id={id('note')} autoSize={{ minRows: 2, maxRows: 8 }} maxLength={2000} showCount />
    </Form.Item>
  );
  const decision = (yes: string, no: string, request: ReactNode) => (
    <>
      {request && <Alert className="hcp-gap" type="info" title={request} />}
      <Form.Item label={t.decision} name="decision" rules={[{ required: true, message: t.decisionRequired }]}>
        <Radio.Group
          aria-label={t.decision}
          options={[
            { value: 'yes', label: yes },
            { value: 'no', label: no },
          ]}
        />
      </Form.Item>
      {note(t.decisionNote)}
    </>
  );
  switch (step) {
    case 'accept':
      return (
        <>
          <p>{t.acceptHint}</p>
          {note(t.acceptNote)}
        </>
      );
    case 'verified':
      return (
        <>
          {note(t.finding, true)}
          {evidence}
        </>
      );
    case 'reply':
      return (
        <>
          <Form.Item label={t.replyText} name="text" htmlFor={id('text')} rules={textRule(t.replyTextRequired)}>
            <Input.TextArea id={id('text')} autoSize={{ minRows: 3, maxRows: 10 }} maxLength={2000} showCount aria-describedby={id('sms')} />
          </Form.Item>
          <ReplyPreview id={id('sms')} ticketId={detail.ticket.id} form={form} />
          {note(t.measures)}
          {evidence}
        </>
      );
    case 'callback':
      return (
        <>
          <Form.Item label={t.outcome} name="outcome" rules={[{ required: true, message: t.outcomeRequired }]}>
            <Radio.Group
              aria-label={t.outcome}
              options={[
                { value: 'satisfied', label: t.outcome_satisfied },
                { value: 'basically_satisfied', label: t.outcome_basically_satisfied },
                { value: 'unsatisfied', label: t.outcome_unsatisfied },
              ]}
            />
          </Form.Item>
          {note(t.callbackNote)}
        </>
      );
    case 'judge_invalid':
      return (
        <>
          <Form.Item label={t.appealKind} name="kind" rules={[{ required: true, message: t.appealKindRequired }]}>
            <Radio.Group
              aria-label={t.appealKind}
              options={[
                { value: 'mistaken', label: t.kind_mistaken },
                { value: 'malicious', label: t.kind_malicious },
              ]}
            />
          </Form.Item>
          <Form.Item label={t.grounds} name="reason" htmlFor={id('reason')} rules={textRule(t.groundsRequired)}>
            <Input.TextArea id={id('reason')} autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} showCount />
          </Form.Item>
          {evidence}
        </>
      );
    case 'request_extension':
      return (
        <>
          <Form.Item label={t.extensionDays} name="days" htmlFor={id('days')} rules={[{ required: true, message: t.extensionDaysRequired }]}>
            <InputNumber id={id('days')} min={1} max={60} precision={0} />
          </Form.Item>
          <Form.Item label={t.extensionReason} name="reason" htmlFor={id('reason')} rules={textRule(t.extensionReasonRequired)}>
            <Input.TextArea id={id('reason')} autoSize={{ minRows: 2, maxRows: 8 }} maxLength={2000} showCount />
          </Form.Item>
          {evidence}
        </>
      );
    case 'request_cannot_fix':
      return (
        <>
          <Form.Item label={t.cannotFixReason} name="reason" htmlFor={id('reason')} rules={textRule(t.cannotFixReasonRequired)}>
            <Input.TextArea id={id('reason')} autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} showCount />
          </Form.Item>
          {evidence}
        </>
      );
    case 'decide_appeal': {
      const asked = pendingRequest(detail, 'judge_invalid');
      const kind = str(asked?.kind);
      return decision(t.upheldYes, t.upheldNo, asked && fill(t.appealRequest, { kind: kind === 'malicious' ? t.kind_malicious : t.kind_mistaken, reason: str(asked.reason) }));
    }
    case 'decide_extension': {
      const asked = pendingRequest(detail, 'request_extension');
      return decision(t.decisionYes, t.decisionNo, asked && fill(t.extensionRequest, { days: str(asked.days), reason: str(asked.reason) }));
    }
    case 'decide_cannot_fix': {
      const asked = pendingRequest(detail, 'request_cannot_fix');
      return decision(t.decisionYes, t.decisionNo, asked && fill(t.cannotFixRequest, { reason: str(asked.reason) }));
    }
  }
}

const SUBMIT: Record<StepName, keyof TicketTexts> = {
  accept: 'acceptSubmit',
  verified: 'verifiedSubmit',
  reply: 'replySubmit',
  callback: 'callbackSubmit',
  judge_invalid: 'appealSubmit',
  request_extension: 'extensionSubmit',
  request_cannot_fix: 'cannotFixSubmit',
  decide_appeal: 'decideSubmit',
  decide_extension: 'decideSubmit',
  decide_cannot_fix: 'decideSubmit',
};

/** The step that moves the ticket on comes first; the requests that stop or slow it after. */
const FIRST: readonly StepName[] = ['accept', 'verified', 'reply', 'callback', 'decide_appeal', 'decide_extension', 'decide_cannot_fix', 'judge_invalid', 'request_extension', 'request_cannot_fix'];

interface Conflict {
  step: StepName;
  state: string;
  values: StepValues;
}

function StepForm({ step, detail, onDone, onConflict }: { step: StepName; detail: TicketDetail; onDone: (step: StepName) => void; onConflict: (conflict: Conflict) => void }) {
  const t = useTexts(ticketTexts);
  const { lang } = useLang();
  const [form] = Form.useForm<StepValues>();
  const take = useMutation({
    mutationFn: (values: StepValues) =>
      unwrap(api.POST('/api/v1/tickets/{id}/steps', { params: { path: { id: detail.ticket.id } }, body: bodyOf(step, values, detail.ticket.version) })),
    onSuccess: () => {
      form.resetFields();
      onDone(step);
    },
    onError: (error, values) => {
      if (error instanceof ApiError && error.code === CONFLICT_CODE) onConflict({ step, state: str(error.details?.state), values });
    },
  });
  const conflictError = take.error instanceof ApiError && take.error.code === CONFLICT_CODE;
  return (
    <Form<StepValues> form={form} layout="vertical" requiredMark={false} onFinish={(values) => take.mutate(values)} aria-label={t[`step_${step}`]}>
      <Fields step={step} t={t} detail={detail} form={form} />
      {take.error && !conflictError && <Alert className="hcp-gap" type="error" showIcon role="alert" title={errorText(take.error, lang)} />}
      <Button type="primary" htmlType="submit" loading={take.isPending}>
        {take.isPending ? t.submitting : t[SUBMIT[step]]}
      </Button>
    </Form>
  );
}

/** The typed values shown back when the step they were for is no longer open. */
function DraftKept({ values, t }: { values: StepValues; t: TicketTexts }) {
  const parts = [values.text, values.reason, values.note].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  if (parts.length === 0) return null;
  return (
    <div>
      <p>{t.draftKept}</p>
      {parts.map((part, i) => (
        <p key={i} className="hcp-draft">
          {part}
        </p>
      ))}
    </div>
  );
}

export function StepForms({ detail, onChanged }: { detail: TicketDetail; onChanged: (how: 'done' | 'conflict') => Promise<unknown> }) {
  const t = useTexts(ticketTexts);
  const { message } = App.useApp();
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [active, setActive] = useState<StepName | undefined>(undefined);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const steps = [...detail.allowedSteps].sort((a, b) => FIRST.indexOf(a) - FIRST.indexOf(b));

  useEffect(() => {
    if (conflict) alertRef.current?.focus();
  }, [conflict]);

  const done = (step: StepName) => {
    setConflict(null);
    void message.success(fill(t.done, { step: t[`step_${step}`] }));
    void onChanged('done').then(() => headingRef.current?.focus());
  };
  const conflicted = (found: Conflict) => {
    void onChanged('conflict').then(() => setConflict(found));
  };
  const stateName = (state: string) => {
    const key = `state_${state || detail.ticket.state}` as keyof TicketTexts;
    return key in t ? t[key] : state;
  };
  const current = active && steps.includes(active) ? active : steps[0];
  const lostStep = conflict && !steps.includes(conflict.step) ? conflict : null;

  return (
    <section aria-labelledby="ticket-actions" className="hcp-section">
      <h2 id="ticket-actions" className="hcp-section-title" tabIndex={-1} ref={headingRef}>
        {t.actions}
      </h2>
      {conflict && (
        <div ref={alertRef} tabIndex={-1} className="hcp-gap hcp-conflict">
          <Alert type="warning" showIcon title={fill(t.conflict, { state: stateName(detail.ticket.state) })} description={lostStep && <DraftKept values={lostStep.values} t={t} />} />
        </div>
      )}
      {steps.length === 0 && <p className="hcp-muted">{t.noActions}</p>}
      {steps.length > 1 && (
        <Radio.Group
          className="hcp-gap hcp-step-choice"
          aria-label={t.chooseStep}
          optionType="button"
          buttonStyle="solid"
          value={current}
          onChange={(event) => setActive(event.target.value as StepName)}
          options={steps.map((step) => ({ value: step, label: t[`step_${step}`] }))}
        />
      )}
      {/* Every open step's form stays mounted (only the chosen one shown), so what was typed in another is kept. */}
      {steps.map((step) => (
        <div key={step} hidden={step !== current}>
          <StepForm step={step} detail={detail} onDone={done} onConflict={conflicted} />
        </div>
      ))}
    </section>
  );
}
