// The rater as the ticket shows them: masked, and revealed in full only on asking with a reason
// (the server logs every reveal with it), e.g. to call them back by phone.
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { useLang, useTexts } from '../i18n/language';
import type { TicketDetail } from './model';
import { ticketTexts } from './texts';

export function RaterCard({ detail }: { detail: TicketDetail }) {
  const t = useTexts(ticketTexts);
  const { lang } = useLang();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const reveal = useMutation({
    mutationFn: (reason: string) => unwrap(api.POST('/api/v1/tickets/{id}/rater', { params: { path: { id: detail.ticket.id } }, body: { reason } })),
  });
  const rater = detail.evaluation.rater;
  const shown = reveal.data ?? rater;
  return (
    <section aria-labelledby="ticket-rater" className="hcp-section">
      <h2 id="ticket-rater" className="hcp-section-title hcp-gap">
        {t.rater}
      </h2>
      {detail.evaluation.anonymous || !rater ? (
        <p>{t.anonymous}</p>
      ) : (
        <>
          {reveal.data && <Alert className="hcp-gap" type="warning" showIcon title={t.revealed} />}
          <Descriptions
            size="small"
            column={1}
            items={[
              { key: 'name', label: t.raterName, children: shown?.name ?? t.none },
              { key: 'phone', label: t.raterPhone, children: shown?.phone ?? t.none },
              { key: 'cert', label: t.raterCert, children: shown?.certNo ?? t.none },
            ]}
          />
          {!reveal.data && (
            <Button className="hcp-gap" onClick={() => setOpen(true)}>
              {t.reveal}
            </Button>
          )}
        </>
      )}
      <Modal
        title={t.revealTitle}
        open={open}
        onCancel={() => setOpen(false)}
        okText={t.revealSubmit}
        cancelText={t.revealClose}
        confirmLoading={reveal.isPending}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <p>{t.revealHint}</p>
        <Form
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={({ reason }) => reveal.mutate(reason.trim(), { onSuccess: () => setOpen(false) })}
        >
          <Form.Item label={t.revealReason} name="reason" htmlFor="reveal-reason" rules={[{ required: true, whitespace: true, min: 2, max: 200, message: t.revealReasonRequired }]}>
            <Input.TextArea id="reveal-reason" autoFocus autoSize={{ minRows: 2, maxRows: 4 }} maxLength={200} />
          </Form.Item>
        </Form>
        {reveal.error && <Alert type="error" showIcon role="alert" title={errorText(reveal.error, lang)} />}
      </Modal>
    </section>
  );
}
