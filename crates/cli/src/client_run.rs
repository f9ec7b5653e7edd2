//! Running the client of a deployment (`spdz2k client`): give inputs, receive verified
//! outputs, write them where asked.

use crate::CliError;
use crate::program::Program;
use crate::run::{fault_point, show_values, unix_micros};
use crate::values::{OutputSpec, ResultInfo, write_result};
use spdz2k::{NodeConfig, RemoteClient, SessionId};

/// Everything `spdz2k client` needs.
#[derive(Clone, Debug)]
pub struct ClientRun {
    /// The client's config.
    pub config: NodeConfig,
    /// The session the parties were given.
    pub session: SessionId,
    /// The program the parties run.
    pub program: Program,
    /// The client's input values.
    pub inputs: Vec<i128>,
    /// Where the verified result goes (beyond the transcript line).
    pub output: OutputSpec,
}

/// Runs the client to the end of the program.
pub async fn run_client(run: ClientRun) -> Result<(), CliError> {
    let name = run.config.name.clone();
    let routes: Vec<String> = run
        .config
        .parties
        .iter()
        .map(|p| {
            format!(
                "P{} {}",
                p.index,
                p.route.map_or("direct".to_string(), |r| r.to_string())
            )
        })
        .collect();
    let wanted = match run.program {
        Program::Demo => Some(1),
        Program::Sum | Program::Product | Program::Dot => Some(0),
        Program::MulBench => None,
    };
    if let Some(wanted) = wanted
        && run.inputs.len() != wanted
    {
        return Err(CliError::Usage(format!(
            "{name}: the {} program takes {wanted} client input{} (got {}); the parties give \
             the vectors of sum, product and dot",
            run.program,
            if wanted == 1 { "" } else { "s" },
            run.inputs.len()
        )));
    }
    fault_point("connect");
    let mut c = RemoteClient::connect(run.config.clone(), &run.session).await?;
    say!(
        "{name}: connected for session {} (routes: {}); session key registered, confirmed by the parties",
        run.session,
        routes.join(", ")
    );
    match client_program(&name, &run, &mut c).await {
        Ok(()) => Ok(c.close().await?),
        Err(e) => {
            let line = e.to_string();
            Err(CliError::Delivery(Box::new(
                c.abort(spdz2k::DeliveryError::Config(line)).await,
            )))
        }
    }
}

async fn client_program(name: &str, run: &ClientRun, c: &mut RemoteClient) -> Result<(), CliError> {
    let write = |values: &[i128], params: spdz2k::ParamsId| -> Result<(), CliError> {
        if !run.output.is_set() {
            return Ok(());
        }
        let info = ResultInfo {
            node: name,
            session: run.session.to_string(),
            program: run.program.name(),
            params: params.to_string(),
            count: values.len(),
            values,
        };
        if let Some(line) = write_result(&run.output, &info)? {
            say!("{name}: {line}");
        }
        Ok(())
    };
    match run.program {
        Program::Demo => {
            fault_point("input");
            c.send_input("c", &run.inputs).await?;
            say!("{name}: input triples verified (a*b = c), masked input sent to every party");
            fault_point("delivery");
            let out = c.receive_outputs("results").await?;
            let v = out.signed();
            say!(
                "{name}: every signature, header and w = x*b check passed for {} values ({})",
                out.len(),
                out.delivery().params
            );
            let [sum, product, square] = v[..] else {
                return Err(CliError::Failed(format!(
                    "{name}: the parties delivered {} results where the demo program sends 3; \
                     are they running `--program demo`?",
                    v.len()
                )));
            };
            say!(
                "{name}: verified results: sum = {sum}, product = {product}, square of sum = {square}"
            );
            write(v, out.delivery().params)?;
        }
        Program::Sum | Program::Product | Program::Dot => {
            let out = c.receive_outputs("result").await?;
            say!(
                "{name}: verified {}: {}",
                run.program,
                show_values(out.signed())
            );
            write(out.signed(), out.delivery().params)?;
        }
        Program::MulBench => {
            let out = c.receive_outputs("bench").await?;
            // Wall clock, so `spdz2k bench` can time delivery from the parties' start to here.
            println!(
                "BENCH party=client kind=receive count={} end_us={}",
                out.len(),
                unix_micros()
            );
        }
    }
    Ok(())
}
