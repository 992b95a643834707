import { AuditOutlined, BellOutlined, FileSearchOutlined, HomeOutlined, LogoutOutlined, KeyOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Dropdown, Layout, Menu, Spin, Typography } from 'antd';
import { Suspense, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { rawRequest } from '../api/client';
import { noteSessionEnded, SESSION_KEY, useSession } from '../auth/session';
import { useTexts } from '../i18n/language';
import { useUnreadCount } from '../notifications/live';
import { LanguageSwitch } from './LanguageSwitch';
import { menuOfPath, MENU_PATHS, menusFor, type MenuKey } from './menus';
import { shellTexts } from './texts';

const ICONS: Record<MenuKey, ReactNode> = {
  home: <HomeOutlined aria-hidden />,
  tickets: <FileSearchOutlined aria-hidden />,
  supervision: <SafetyCertificateOutlined aria-hidden />,
  inspections: <AuditOutlined aria-hidden />,
};

function UnreadBadge() {
  const t = useTexts(shellTexts);
  const count = useUnreadCount();
  return (
    <Link to="/" aria-label={`${t.notifications} ${count}`}>
      <Badge count={count} size="small">
        <BellOutlined className="hcp-bell" aria-hidden />
      </Badge>
    </Link>
  );
}

export function Shell() {
  const t = useTexts(shellTexts);
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const account = session.data?.account;
  if (!account) return null;
  const menus = menusFor(account.role);

  async function signOut() {
    await rawRequest('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    noteSessionEnded('signed-out');
    queryClient.setQueryData(SESSION_KEY, null);
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
    void navigate('/login?reason=signed-out', { replace: true });
  }

  return (
    <Layout className="hcp-shell">
      <a className="hcp-skip" href="#hcp-main">
        {t.skip}
      </a>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} width={208} theme="light" className="hcp-sider">
        <div className="hcp-brand">{t.brand}</div>
        <nav aria-label={t.menu}>
          <Menu
            mode="inline"
            selectedKeys={[menuOfPath(location.pathname)]}
            items={menus.map((key) => ({ key, icon: ICONS[key], label: <Link to={MENU_PATHS[key]}>{t[key]}</Link> }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="hcp-header">
          <div className="hcp-header-end">
            <UnreadBadge />
            <LanguageSwitch />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'password', icon: <KeyOutlined aria-hidden />, label: <Link to="/password">{t.changePassword}</Link> },
                  { key: 'signout', icon: <LogoutOutlined aria-hidden />, label: t.signOut, onClick: () => void signOut() },
                ],
              }}
            >
              <Button type="text" icon={<UserOutlined aria-hidden />}>
                {account.displayName}
                <Typography.Text type="secondary" className="hcp-role">
                  {t[account.role]}
                </Typography.Text>
              </Button>
            </Dropdown>
          </div>
        </Layout.Header>
        <Layout.Content id="hcp-main" className="hcp-content" tabIndex={-1}>
          <Suspense fallback={<Spin className="hcp-page-spin" />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

export function NotFoundPage() {
  const t = useTexts(shellTexts);
  return (
    <div className="hcp-narrow">
      <Typography.Title level={1}>{t.notFound}</Typography.Title>
      <Link to="/">{t.backHome}</Link>
    </div>
  );
}
