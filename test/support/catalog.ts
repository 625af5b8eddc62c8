import type { SqlDb } from '../../src/db/port.ts';

/**
 * Everything a migration can leave in a database, normalised so that two databases built by
 * different scripts compare equal exactly when they hold the same schema: OIDs, creation order and
 * the order of grants do not count; definitions, owners, privileges (a NULL ACL read as its
 * default), policies, triggers, roles and reference rows do. Keys name the object, values describe it.
 * The migration runner's own bookkeeping (supabase_migrations) is left out.
 */
export async function catalogOf(db: SqlDb): Promise<Record<string, string>> {
  const rows = await db.query<{ k: string; v: string }>(CATALOG_SQL);
  const out: Record<string, string> = {};
  for (const r of rows) {
    if (r.k in out) throw new Error(`catalog key twice: ${r.k}`);
    out[r.k] = r.v;
  }
  // Reference rows: the contents of every table (the databases compared are freshly migrated).
  const tables = await db.query<{ t: string; cols: string | null }>(`
    select format('%I.%I', n.nspname, c.relname) as t,
           string_agg(format('%I', a.attname), ', ' order by a.attnum) filter (
             where coalesce(pg_get_expr(d.adbin, d.adrelid), '') not like '%now()%') as cols
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
    where c.relkind in ('r', 'p') and n.nspname in (${SCHEMAS})
    group by 1 order by 1`);
  for (const { t, cols } of tables) {
    // Columns that default to now() hold the moment of migration, which no two databases share.
    const [{ rows: data }] = await db.query<{ rows: string | null }>(
      `select string_agg(r, E'\\n' order by r) as rows from (select (${cols ? `jsonb_build_array(${cols})` : `'[]'::jsonb`})::text as r from ${t}) x`,
    );
    if (data) out[`rows ${t}`] = data;
  }
  return out;
}

/** The schemas a migration of this project may touch (auth: the platform shim; storage: Supabase only). */
const SCHEMAS = `'public', 'private', 'auth', 'storage'`;

/** An ACL as sorted "grantee=privileges/grantor" items, a NULL ACL being the object type's default. */
const acl = (col: string, kind: string, owner: string) => `(
  select coalesce(string_agg(i, ' ' order by i), '') from (
    select format('%s=%s/%s', case when e.grantee = 0 then 'PUBLIC' else pg_get_userbyid(e.grantee) end,
                  e.privilege_type || case when e.is_grantable then '*' else '' end, pg_get_userbyid(e.grantor)) as i
    from aclexplode(coalesce(${col}, acldefault(${kind}, ${owner}))) e) x)`;

const CATALOG_SQL = `
with ns as (select oid, nspname from pg_namespace where nspname in (${SCHEMAS}))
select 'role ' || r.rolname as k,
       concat_ws(' ', case when r.rolsuper then 'superuser' end, case when r.rolinherit then 'inherit' else 'noinherit' end,
                 case when r.rolcanlogin then 'login' else 'nologin' end, case when r.rolbypassrls then 'bypassrls' end,
                 case when r.rolcreaterole then 'createrole' end, case when r.rolcreatedb then 'createdb' end,
                 'member of: ' || (select string_agg(g.rolname || case when m.admin_option then ' (admin)' else '' end, ', ' order by g.rolname)
                                   from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid),
                 'members: ' || (select string_agg(u.rolname, ', ' order by u.rolname)
                                 from pg_auth_members m join pg_roles u on u.oid = m.member where m.roleid = r.oid)) as v
from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role', 'crm_writer')
union all
select 'extension ' || e.extname, (select nspname from pg_namespace where oid = e.extnamespace) from pg_extension e
union all
select 'schema ' || n.nspname, 'owner ' || pg_get_userbyid(n.nspowner) || ' acl ' || ${acl('n.nspacl', `'n'`, 'n.nspowner')}
from pg_namespace n where n.oid in (select oid from ns)
union all
select 'type ' || format_type(t.oid, null),
       case t.typtype when 'e' then 'enum (' || (select string_agg(quote_literal(enumlabel), ', ' order by enumsortorder) from pg_enum where enumtypid = t.oid) || ')'
                      when 'd' then 'domain ' || format_type(t.typbasetype, t.typtypmod) else t.typtype::text end
       || ' owner ' || pg_get_userbyid(t.typowner) || ' acl ' || ${acl('t.typacl', `'T'`, 't.typowner')}
from pg_type t
where t.typnamespace in (select oid from ns) and t.typtype in ('e', 'd')
union all
select 'relation ' || c.oid::regclass::text,
       concat_ws(' ', 'kind ' || c.relkind::text, 'owner ' || pg_get_userbyid(c.relowner),
                 case when c.relrowsecurity then 'rls' end, case when c.relforcerowsecurity then 'force-rls' end,
                 case when c.relpersistence <> 'p' then 'persistence ' || c.relpersistence::text end,
                 'options ' || array_to_string(c.reloptions, ','),
                 case when c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') then 'acl ' || ${acl('c.relacl', `(case c.relkind when 'S' then 's' else 'r' end)::"char"`, 'c.relowner')} end,
                 case when c.relkind in ('v', 'm') then 'view ' || pg_get_viewdef(c.oid) end)
from pg_class c where c.relnamespace in (select oid from ns) and c.relkind not in ('i', 'I', 'c', 't')
union all
select 'column ' || a.attrelid::regclass::text || '.' || quote_ident(a.attname),
       concat_ws(' ', '#' || a.attnum, format_type(a.atttypid, a.atttypmod), case when a.attnotnull then 'not null' end,
                 'default ' || pg_get_expr(d.adbin, d.adrelid), case a.attidentity when 'a' then 'identity always' when 'd' then 'identity by default' end,
                 case when a.attgenerated <> '' then 'generated' end,
                 case when a.attcollation <> 0 and a.attcollation <> t.typcollation then 'collate ' || a.attcollation::regcollation::text end,
                 case when a.attacl is not null then 'acl ' || (select string_agg(i, ' ' order by i) from (select format('%s=%s/%s', pg_get_userbyid(e.grantee), e.privilege_type, pg_get_userbyid(e.grantor)) as i from aclexplode(a.attacl) e) x) end)
from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_type t on t.oid = a.atttypid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where c.relnamespace in (select oid from ns) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and a.attnum > 0 and not a.attisdropped
union all
select 'constraint ' || co.conrelid::regclass::text || ' ' || quote_ident(co.conname), pg_get_constraintdef(co.oid)
from pg_constraint co where co.connamespace in (select oid from ns) and co.conrelid <> 0
union all
select 'index ' || c.oid::regclass::text, pg_get_indexdef(c.oid)
from pg_class c where c.relnamespace in (select oid from ns) and c.relkind in ('i', 'I')
union all
select 'sequence ' || s.seqrelid::regclass::text,
       format('%s start %s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, null), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
              case when s.seqcycle then ' cycle' else '' end)
from pg_sequence s join pg_class c on c.oid = s.seqrelid where c.relnamespace in (select oid from ns)
union all
select 'trigger ' || tg.tgrelid::regclass::text || ' ' || quote_ident(tg.tgname), pg_get_triggerdef(tg.oid) || ' enabled ' || tg.tgenabled::text
from pg_trigger tg join pg_class c on c.oid = tg.tgrelid where c.relnamespace in (select oid from ns) and not tg.tgisinternal
union all
select 'policy ' || p.schemaname || '.' || p.tablename || ' ' || p.policyname,
       concat_ws(' ', p.permissive, 'for ' || p.cmd, 'to ' || (select string_agg(r, ', ' order by r) from unnest(p.roles) r),
                 'using ' || p.qual, 'with check ' || p.with_check)
from pg_policies p where p.schemaname in (${SCHEMAS})
union all
select 'function ' || p.oid::regprocedure::text,
       'owner ' || pg_get_userbyid(p.proowner) || ' acl ' || ${acl('p.proacl', `'f'`, 'p.proowner')} || E'\\n' ||
       case when p.prokind in ('f', 'p', 'w') then pg_get_functiondef(p.oid) else 'aggregate' end
from pg_proc p
where p.pronamespace in (select oid from ns)
  and not exists (select 1 from pg_depend dep where dep.objid = p.oid and dep.deptype = 'e')
union all
select 'default acl ' || pg_get_userbyid(da.defaclrole) || ' ' || coalesce((select nspname from pg_namespace where oid = da.defaclnamespace), '*') || ' ' || da.defaclobjtype::text,
       (select string_agg(i, ' ' order by i) from (select format('%s=%s', case when e.grantee = 0 then 'PUBLIC' else pg_get_userbyid(e.grantee) end, e.privilege_type) as i from aclexplode(da.defaclacl) e) x)
from pg_default_acl da
union all
select 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
from pg_description d
where d.classoid in ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass)
  and (d.objoid in (select oid from ns)
       or d.objoid in (select oid from pg_class where relnamespace in (select oid from ns))
       or d.objoid in (select oid from pg_proc where pronamespace in (select oid from ns)))
union all
select 'cast ' || format_type(ca.castsource, null) || ' -> ' || format_type(ca.casttarget, null), coalesce(ca.castfunc::regprocedure::text, 'no function')
from pg_cast ca where ca.oid >= 16384
union all
select 'event trigger ' || evtname, evtevent || ' ' || evtfoid::regproc::text from pg_event_trigger
`;
