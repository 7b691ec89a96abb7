#include "api/server/log_server.h"

#include <utility>

#include "absl/status/status.h"
#include "ledger/events/event_fields.h"
#include "ledger/identity/permissions.h"

namespace vellum {
namespace api {

absl::StatusOr<std::unique_ptr<LogServer>> LogServer::Open(LogServerOptions options) {
  if (options.signer == nullptr) return absl::InvalidArgumentError("LogServer needs a signer");
  std::unique_ptr<LogServer> server(new LogServer());
  if (!options.lookup_key.empty()) {
    if (!options.events) {
      return absl::InvalidArgumentError("LogServer: the sealed store needs the event log");
    }
    absl::StatusOr<std::unique_ptr<ledger::Custodian>> custodian =
        ledger::Custodian::Open(ledger::SealedStore::DirIn(options.data_dir), options.lookup_key,
                                std::move(options.privacy));
    if (!custodian.ok()) return custodian.status();
    server->custodian_ = *std::move(custodian);
  }
  ledger::LocalLog::Options log_options;
  if (server->custodian_ != nullptr) {
    // The index records identities that entries hold in clear by their pseudonyms.
    ledger::Custodian* custodian = server->custodian_.get();
    log_options.event_fields = ledger::EventFieldsOn(
        [custodian](absl::string_view identity) { return custodian->PseudonymOf(identity); });
    log_options.event_indexes = std::string(ledger::kLeafAndEventIndexes);
  } else if (options.events) {
    log_options.event_fields = ledger::EventFieldsOn({});
  }
  log_options.signer = options.signer;
  log_options.sequencer = options.sequencer;
  absl::StatusOr<std::unique_ptr<ledger::LocalLog>> log =
      ledger::LocalLog::Open(options.data_dir, log_options);
  if (!log.ok()) return log.status();
  server->log_ = *std::move(log);
  ledger::Sequencer* sequencer = server->log_->sequencer();
  ledger::IndexFollower* follower = &server->log_->follower();
  if (!options.witnesses.empty()) {
    absl::StatusOr<std::unique_ptr<WitnessCollector>> witnesses =
        WitnessCollector::Start(sequencer, &server->log_->storage(),
                                std::move(options.witnesses), options.witness_options);
    if (!witnesses.ok()) return witnesses.status();
    server->witnesses_ = *std::move(witnesses);
  }
  if (!options.serve_http) return server;

  server->tile_cache_ = std::make_unique<ledger::TileCache>(options.tile_cache_bytes);
  LogService::Options service_options;
  service_options.witnesses = server->witnesses_.get();
  service_options.tile_cache = server->tile_cache_.get();
  service_options.leaf_index = &server->log_->leaf_index();
  service_options.index_follower = follower;
  service_options.typed_from = server->log_->typed_from();
  server->quotas_ = std::move(options.quotas);
  service_options.quotas = server->quotas_.get();
  if (server->custodian_ != nullptr) {
    ledger::Custodian* custodian = server->custodian_.get();
    service_options.minimum_index = [custodian] { return custodian->minimum_index(); };
  }
  LogServer* self = server.get();
  // The HTTP server starts last; its counters are read through the server once it runs.
  service_options.more_metrics = [self](std::string* out) {
    if (const HttpServer* http = self->serving_.load()) http->RenderMetrics(out);
    if (self->quotas_ != nullptr) self->quotas_->RenderMetrics(out);
    // Both are built before the HTTP server starts.
    if (self->events_ != nullptr) self->events_->RenderMetrics(out);
    if (self->denials_ != nullptr) self->denials_->RenderMetrics(out);
  };
  server->service_ = std::make_unique<LogService>(
      sequencer, &server->log_->storage(), options.signer->VerifierKey(),
      service_options);
  LogService* service = server->service_.get();
  HttpServer::Handler handler = [service](HttpRequest request, HttpServer::Respond respond) {
    service->Handle(std::move(request), std::move(respond));
  };
  if (options.events) {
    EventService::Options event_options;
    event_options.custodian = server->custodian_.get();
    event_options.minimum_index = service_options.minimum_index;
    event_options.may_unseal = [self](const HttpRequest& request,
                                      const ledger::identity::Scope& scope) {
      return self->authorizer_->Holds(request, ledger::identity::kEventsUnseal, scope);
    };
    // The Authorizer is built last, in front of the services; requests reach the services only
    // through it, so it exists whenever this is called.
    event_options.check_scope = [self](const HttpRequest& request, absl::string_view permission,
                                       const ledger::identity::Scope& scope) {
      return self->authorizer_->CheckScope(request, permission, scope);
    };
    event_options.adapters = options.adapters;
    event_options.disabled_adapters = options.disabled_adapters;
    event_options.tile_cache = server->tile_cache_.get();
    event_options.quotas = server->quotas_.get();
    event_options.summary_interval = options.denials.summary_interval;
    if (server->custodian_ != nullptr) {
      ledger::Custodian* custodian = server->custodian_.get();
      auto name = [custodian](absl::string_view address) {
        return custodian->AddressName(address);
      };
      event_options.source_name = name;
      options.denials.source_name = name;
    }
    event_options.clock = options.clock;
    absl::StatusOr<std::unique_ptr<EventService>> events = EventService::Create(
        sequencer, &server->log_->storage(), server->log_->event_index(),
        follower, std::move(handler), event_options);
    if (!events.ok()) return events.status();
    server->events_ = *std::move(events);
    EventService* event_service = server->events_.get();
    handler = [event_service](HttpRequest request, HttpServer::Respond respond) {
      event_service->Handle(std::move(request), std::move(respond));
    };
    server->denials_ = std::make_unique<ledger::identity::DenialLog>(
        server->events_->event_log(), options.denials);
    // Deliveries the HTTP server refuses at its limits go on record (ingest.shed).
    options.http.refused = [event_service](const HttpRequest& head, absl::string_view reason) {
      event_service->RecordRefused(head.target, reason);
    };
    if (server->custodian_ != nullptr) {
      // Before anything is appended: the values a crash left between sealing and appending.
      absl::StatusOr<size_t> collected =
          server->custodian_->CollectUnreferenced(*server->events_->event_log());
      if (!collected.ok()) return collected.status();
    }
    if (!options.startup_events.empty()) {
      if (absl::Status s = server->AppendServerEvents(std::move(options.startup_events));
          !s.ok()) {
        return s;
      }
    }
    if (server->custodian_ != nullptr) {
      // The holds in force and the erasures on record, before any request is served.
      if (absl::Status s = server->custodian_->Attach(server->events_->event_log()); !s.ok()) {
        return s;
      }
      server->privacy_ = std::make_unique<PrivacyService>(server->custodian_.get(),
                                                          std::move(handler),
                                                          PrivacyService::Options());
      PrivacyService* privacy = server->privacy_.get();
      handler = [privacy](HttpRequest request, HttpServer::Respond respond) {
        privacy->Handle(std::move(request), std::move(respond));
      };
    }
    if (options.gate) {
      ledger::policy::Gate::Options gate_options;
      if (ledger::Custodian* custodian = server->custodian_.get()) {
        // Requesters (gate.on_behalf_of) and approvers (actor.subject) are compared by their
        // keys, which must then be of one kind.
        const ledger::FieldRule actor =
            custodian->FieldRuleFor(ledger::kServerSource, "actor.subject");
        const ledger::FieldRule on_behalf_of =
            custodian->FieldRuleFor(ledger::kServerSource, "gate.on_behalf_of");
        const ledger::FieldRule reviewer = custodian->FieldRuleFor("github", "actor.subject");
        if (actor != on_behalf_of || actor != reviewer || actor == ledger::FieldRule::kDrop) {
          return absl::InvalidArgumentError(
              "privacy: the gate compares requesters and approvers, so the server's events "
              "(source vellum) must keep actor.subject and gate.on_behalf_of alike, and GitHub's "
              "events actor.subject like them: all sealed or all clear");
        }
        // The key the gate's events give a person: as the server's own events keep the field.
        gate_options.identity_key = [custodian](absl::string_view path,
                                                absl::string_view identity)
            -> absl::StatusOr<std::string> {
          switch (custodian->FieldRuleFor(ledger::kServerSource, path)) {
            case ledger::FieldRule::kDrop: return std::string();
            case ledger::FieldRule::kClear: return ledger::policy::IdentityKey("", identity);
            case ledger::FieldRule::kSeal: break;
          }
          return custodian->PseudonymOf(identity);
        };
      }
      if (options.clock.wall) gate_options.clock = options.clock.wall;
      absl::StatusOr<std::unique_ptr<ledger::policy::Gate>> gate =
          ledger::policy::Gate::Attach(server->events_->event_log(), std::move(gate_options));
      if (!gate.ok()) return gate.status();
      server->gate_ = *std::move(gate);
      if (absl::Status s = server->gate_->Configure(std::move(options.policy)); !s.ok()) {
        return s;
      }
      GateService::Options gate_service;
      gate_service.check_scope = event_options.check_scope;
      gate_service.tile_cache = server->tile_cache_.get();
      gate_service.admission = std::move(options.admission);
      server->gate_service_ = std::make_unique<GateService>(
          server->gate_.get(), sequencer, &server->log_->storage(), std::move(handler),
          std::move(gate_service));
      GateService* gate_service_ptr = server->gate_service_.get();
      handler = [gate_service_ptr](HttpRequest request, HttpServer::Respond respond) {
        gate_service_ptr->Handle(std::move(request), std::move(respond));
      };
    }
  } else if (!options.startup_events.empty()) {
    return absl::InvalidArgumentError("LogServer: startup events need the event log");
  }

  if (options.access == nullptr) {
    ledger::identity::PolicyOptions local;
    local.local = true;
    absl::StatusOr<std::unique_ptr<ledger::identity::Policy>> policy =
        ledger::identity::Policy::Create(std::move(local));
    if (!policy.ok()) return policy.status();
    auto rules = std::make_shared<AccessRules>();
    rules->policy = *std::move(policy);
    rules->local = true;
    options.access = std::move(rules);
  }
  Authorizer::Options authorizer_options;
  authorizer_options.denials = server->denials_.get();
  for (const ingest::Adapter* adapter : options.adapters) {
    if (adapter->verifies_signature()) {
      authorizer_options.signature_adapters.emplace_back(adapter->name());
    }
  }
  server->port_ = options.http.port;
  authorizer_options.port = [self] { return self->port_.load(); };
  authorizer_options.body_limits = options.body_limits;
  server->authorizer_ =
      std::make_unique<Authorizer>(std::move(options.access), authorizer_options);
  const Authorizer* authorizer = server->authorizer_.get();
  options.http.admit = [authorizer](const HttpRequest& head, HttpServer::Admitted done) {
    authorizer->Admit(head, std::move(done));
  };
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(options.http, std::move(handler));
  if (!http.ok()) return http.status();
  server->http_ = *std::move(http);
  server->serving_ = server->http_.get();
  server->port_ = server->http_->port();
  return server;
}

void LogServer::ReplaceAccess(std::shared_ptr<const AccessRules> access) {
  if (authorizer_ != nullptr) authorizer_->Replace(std::move(access));
}

void LogServer::ReplaceAdapters(std::vector<const ingest::Adapter*> adapters,
                                std::map<std::string, std::string> disabled,
                                std::shared_ptr<const void> owner) {
  if (events_ != nullptr) {
    events_->ReplaceAdapters(std::move(adapters), std::move(disabled), std::move(owner));
  }
}

absl::Status LogServer::AppendServerEvents(std::vector<ledger::AuditEvent> events) {
  if (events_ == nullptr) {
    return absl::FailedPreconditionError("this server keeps no event log");
  }
  return events_->event_log()->AppendServerEventsAndWait(std::move(events)).status();
}

LogServer::~LogServer() { Shutdown(); }

void LogServer::Shutdown() {
  if (http_ != nullptr) http_->Shutdown();
  if (gate_service_ != nullptr) gate_service_->Drain();
  if (privacy_ != nullptr) privacy_->Drain();
  if (events_ != nullptr) events_->Drain();
  // Its last summary of unsealed reads is appended while the sequencer still runs.
  if (custodian_ != nullptr) custodian_->Detach();
  // Its last summary is appended while the sequencer still runs.
  denials_.reset();
  if (witnesses_ != nullptr) witnesses_->Stop();
  if (log_ != nullptr) log_->StopSequencer();
  // The services' queued work (receipts, event answers) still answers through the HTTP server's
  // sessions and reads the tile cache, so both go after the services.
  witnesses_.reset();
  gate_service_.reset();
  gate_.reset();
  privacy_.reset();
  events_.reset();
  service_.reset();
  custodian_.reset();
  tile_cache_.reset();
  serving_ = nullptr;
  http_.reset();
  authorizer_.reset();
}

}  // namespace api
}  // namespace vellum
