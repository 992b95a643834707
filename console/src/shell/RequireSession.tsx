import { Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { sessionEndReason, useSession } from '../auth/session';

/** Pages behind sign-in: to the sign-in page (coming back here after) or, first, to the forced password change. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Spin fullscreen />;
  if (!session.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    const reason = sessionEndReason();
    return <Navigate to={`/login?next=${next}${reason ? `&reason=${reason}` : ''}`} replace />;
  }
  if (session.data.mustChangePassword && location.pathname !== '/password') return <Navigate to="/password" replace />;
  return children;
}
