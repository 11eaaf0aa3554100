use gongkai::storage::{establish, revert_all_migrations, run_migrations};

use crate::helpers::{test_settings, TestDb};

fn table_count(conn: &mut gongkai::storage::DbConnection, postgres: bool) -> i64 {
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = if postgres {
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_name <> '__diesel_schema_migrations'"
    } else {
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
         AND name NOT IN ('__diesel_schema_migrations', 'sqlite_sequence')"
    };
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[test]
fn migrations_go_all_up_all_down_and_all_up_again() {
    let db = TestDb::new();
    let settings = test_settings(db.url());
    let mut conn = establish(&settings.db_options()).unwrap();
    let postgres = db.is_postgres();
    run_migrations(&mut conn).unwrap();
    let tables = table_count(&mut conn, postgres);
    assert!(tables >= 9, "the foundation creates its tables ({tables})");
    revert_all_migrations(&mut conn).unwrap();
    assert_eq!(table_count(&mut conn, postgres), 0, "every down.sql reverts its up.sql");
    run_migrations(&mut conn).unwrap();
    assert_eq!(table_count(&mut conn, postgres), tables);
    drop(conn);
}
