// The staff console's entry: language, Ant Design's locale, the query cache (which notices an
// expired session on any request), and the routes under /console.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError } from './api/client';
import { noteSessionEnded, SESSION_KEY } from './auth/session';
import { LanguageProvider, useLang } from './i18n/language';
import { routes } from './routes';
import './styles.css';

function onRequestError(error: unknown) {
  if (!(error instanceof ApiError)) return;
  if (error.status === 401) {
    // The session ended under this page (expiry, sign-out elsewhere, account disabled): sign in again.
    noteSessionEnded('expired');
    queryClient.setQueryData(SESSION_KEY, null);
  } else if (error.code === 'AUTH_PASSWORD_CHANGE_REQUIRED') {
    void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  }
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onRequestError }),
  mutationCache: new MutationCache({ onError: onRequestError }),
  defaultOptions: {
    queries: { retry: (failures, error) => !(error instanceof ApiError) && failures < 2, refetchOnWindowFocus: true, staleTime: 15_000 },
  },
});

// Ant Design's default link, secondary and placeholder greys fall short of a 4.5:1 contrast on white (WCAG AA).
const THEME = { colorPrimary: '#1554ad', fontSize: 14, colorTextDescription: '#595959', colorLink: '#1554ad', colorTextSecondary: '#4b5563', colorTextPlaceholder: '#6b7280' };

const router = createBrowserRouter(routes, { basename: '/console' });

function Localised() {
  const { lang } = useLang();
  useEffect(() => {
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  }, [lang]);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: THEME }}>
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <LanguageProvider>
        <QueryClientProvider client={queryClient}>
          <Localised />
        </QueryClientProvider>
      </LanguageProvider>
    </StrictMode>,
  );
}
