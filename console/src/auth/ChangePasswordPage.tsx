import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input } from 'antd';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { useLang, useTexts } from '../i18n/language';
import { SESSION_KEY, useSession } from './session';
import { authTexts } from './texts';

interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordPage() {
  const t = useTexts(authTexts);
  const { lang } = useLang();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => unwrap(api.POST('/api/v1/auth/password', { body })),
    onSuccess: async () => {
      void message.success(t.changed);
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      void navigate('/', { replace: true });
    },
  });
  return (
    <Card title={<h1 className="hcp-card-title">{t.changeTitle}</h1>} className="hcp-narrow">
      {session.data?.mustChangePassword && <Alert className="hcp-gap" type="warning" showIcon title={t.changeForced} />}
      {change.error && <Alert className="hcp-gap" type="error" showIcon role="alert" title={errorText(change.error, lang)} />}
      <Form<PasswordForm>
        layout="vertical"
        requiredMark={false}
        disabled={change.isPending}
        onFinish={(values) => change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword })}
      >
        <Form.Item label={t.currentPassword} name="currentPassword" rules={[{ required: true, message: t.passwordRequired }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item label={t.newPassword} name="newPassword" rules={[{ required: true, message: t.passwordRequired }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label={t.confirmPassword}
          name="confirm"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t.passwordRequired },
            ({ getFieldValue }) => ({ validator: (_rule, value) => (value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t.mismatch))) }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t.save}
        </Button>
      </Form>
    </Card>
  );
}
