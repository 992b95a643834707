import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import { LanguageSwitch } from '../shell/LanguageSwitch';
import { SESSION_KEY, sessionFrom, useSession } from './session';
import { authTexts } from './texts';

interface Credentials {
  username: string;
  password: string;
}

/** Where to go after signing in: a console path from ?next=, never another site. */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const t = useTexts(authTexts);
  const { lang } = useLang();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const next = safeNext(params.get('next'));
  const signIn = useMutation({
    mutationFn: (body: Credentials) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (answer) => {
      const fresh = sessionFrom(answer);
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, fresh);
      void navigate(fresh.mustChangePassword ? '/password' : next, { replace: true });
    },
  });
  if (session.data && !signIn.isPending) return <Navigate to={next} replace />;

  const reason = (location.state as { reason?: string } | null)?.reason ?? params.get('reason');
  const error = signIn.error;
  const locked = error instanceof ApiError && error.code === 'AUTH_SIGN_IN_LOCKED';
  const retryAfter = locked ? Number(error.details?.retryAfterSeconds ?? 60) : 0;

  return (
    <main className="hcp-login">
      <div className="hcp-login-lang">
        <LanguageSwitch />
      </div>
      <Card className="hcp-login-card">
        <Typography.Title level={1} className="hcp-login-title">
          {t.title}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t.subtitle}</Typography.Paragraph>
        {reason === 'expired' && <Alert className="hcp-gap" type="warning" showIcon title={t.expired} />}
        {reason === 'signed-out' && <Alert className="hcp-gap" type="success" showIcon title={t.signedOut} />}
        {error && (
          <Alert className="hcp-gap" type="error" showIcon role="alert" title={locked ? fill(t.lockedFor, { minutes: Math.max(1, Math.ceil(retryAfter / 60)) }) : errorText(error, lang)} />
        )}
        <Form<Credentials> layout="vertical" requiredMark={false} onFinish={(values) => signIn.mutate(values)} disabled={signIn.isPending}>
          <Form.Item label={t.username} name="username" rules={[{ required: true, whitespace: true, message: t.usernameRequired }]}>
            <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item label={t.password} name="password" rules={[{ required: true, message: t.passwordRequired }]}>
            <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" size="large" block loading={signIn.isPending}>
            {t.signIn}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
